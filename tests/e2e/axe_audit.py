"""axe-core on every page the browser tests visit (WCAG 2.1 A and AA rules).

axe-core comes from the npm registry, vendored in tests/e2e/vendor/ (its licence beside
it): no CDN at run time. A page is audited as soon as it has loaded (while the test goes
on), at each `shot(...)` step, and at the end of the test. Serious and critical findings
fail the test; minor and moderate ones are left to people.

The audits at the steps and at the end are sure; the one on load is lost when the test
leaves the page before it ends (the run's last line counts them). Holding the next request
until the audit ends cannot work: the page answers nothing while a routed navigation waits.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ["serious", "critical"]
_INJECTIONS = 3

# Runs are chained (axe refuses two at once in one document); a caller asking again about
# an unchanged page gets the run already made (or under way) for it.
_RUN_JS = """async ([tags, blocking]) => {
  if (typeof axe === 'undefined') return null;  // a new document since axe was injected
  const state = location.href + ' ' + document.documentElement.outerHTML.length;
  if (window.__axeState !== state) {
    window.__axeState = state;
    window.__axeResult = (window.__axeResult || Promise.resolve()).then(() => axe.run(document, {
      runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'], iframes: false,
    }));
  }
  const result = await window.__axeResult;
  return result.violations.filter((v) => blocking.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(' '),
      summary: (n.failureSummary || '').replace(/\\s+/g, ' ').trim(),
    })),
  }));
}"""

# For the end of the run: documents audited, and page loads whose audit the test overtook.
TALLY = {"audits": 0, "loads": 0, "loads audited": 0}
_source: str | None = None


def _axe_source() -> str:
    global _source
    if _source is None:
        _source = AXE_JS.read_text(encoding="utf-8")
    return _source


class AxeAudit:
    """The serious and critical axe findings of one browser page, gathered as it goes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        # Each (rule, page, elements) once, with where it was first seen.
        self.findings: dict[tuple[str, str, str], str] = {}
        page.on("load", self._on_load)

    def _on_load(self, page: Page) -> None:
        from playwright.sync_api import Error

        TALLY["loads"] += 1
        # The page alone: a frame in it (the card's) is audited at the steps, not while the
        # test types in it. The test may move on (or close the page) first: its steps are
        # audited anyway.
        with contextlib.suppress(Error):
            audited = self.check(where="on load", frames=False)
            TALLY["loads audited"] += audited

    def check(self, *, where: str, frames: bool = True) -> int:
        """Audit the page as it is now (and the frames inside it, such as the card's);
        returns how many documents were audited."""
        from playwright.sync_api import Error

        audited = 0
        for frame in self.page.frames if frames else [self.page.main_frame]:
            if not frame.url.startswith("http"):
                continue  # about:blank, a download's blank tab
            try:
                violations = self._run(frame)
            except Error as error:
                if frame.is_detached() or "destroyed" in str(error) or "closed" in str(error):
                    continue  # that document went away meanwhile: nothing left to audit
                raise
            audited += 1
            TALLY["audits"] += 1
            for violation in violations:
                targets = " ".join(node["target"] for node in violation["nodes"])
                key = (violation["id"], frame.url, targets)
                self.findings.setdefault(key, _describe(violation, frame.url, where))
        return audited

    def _run(self, frame: Frame) -> list[dict[str, Any]]:
        # The frame may load a new document between axe's injection and its run (a
        # redirect, a reload): then axe is injected again into the new one.
        for _ in range(_INJECTIONS):
            if not frame.evaluate("() => typeof window.axe === 'object'"):
                # Evaluated by the debugger protocol: the page's CSP does not apply.
                frame.evaluate(_axe_source())
            violations = frame.evaluate(_RUN_JS, [WCAG_TAGS, BLOCKING])
            if violations is not None:
                return violations
        raise AssertionError(f"axe-core: {frame.url} kept loading new documents")

    def assert_clean(self) -> None:
        findings = list(self.findings.values())
        self.findings.clear()  # reported once
        assert not findings, (
            f"axe-core: {len(findings)} serious or critical accessibility finding(s) "
            "(WCAG 2.1 A/AA):\n" + "\n".join(findings)
        )


def _describe(violation: dict[str, Any], url: str, where: str) -> str:
    nodes = violation["nodes"]
    lines = [
        f"- {violation['id']} ({violation['impact']}) on {url} [{where}]: {violation['help']}"
        f" <{violation['helpUrl']}>"
    ]
    for node in nodes[:5]:
        lines.append(f"    {node['target']}: {node['summary'][:300]}")
    if len(nodes) > 5:
        lines.append(f"    ... and {len(nodes) - 5} more element(s)")
    return "\n".join(lines)
