from __future__ import annotations

import pytest

from parcauto.wallets.devchain import DevFiles, dev_chain_ensure


@pytest.fixture(scope="session")
def dev_files(tmp_path_factory) -> DevFiles:
    """One development chain for the session (an RSA key takes a while to make)."""
    return dev_chain_ensure(
        tmp_path_factory.mktemp("wallet") / "dev",
        pass_type_id="pass.ca.parcauto.dev",
        team_id="PARCAUTODV",
    )


@pytest.fixture(autouse=True)
def _wallet_settings(settings, dev_files) -> None:
    """The wallets sign with the session's development chain, and call the sandboxes."""
    settings.WALLET_DEV_CREDENTIALS = True
    settings.WALLET_DEV_DIR = dev_files.directory
    settings.WALLET_APPLE_PASS_TYPE_ID = "pass.ca.parcauto.dev"
    settings.WALLET_APPLE_TEAM_ID = "PARCAUTODV"
    settings.WALLET_APPLE_CERTIFICATE = ""
    settings.WALLET_APPLE_KEY = ""
    settings.WALLET_APPLE_WWDR = ""
    settings.WALLET_GOOGLE_SERVICE_ACCOUNT = ""
    settings.WALLET_GOOGLE_ISSUER_ID = "3388000000022222222"
    settings.WALLET_APPLE_PUSH = "parcauto.wallets.apple.push.SandboxPush"
    settings.WALLET_GOOGLE_API = "parcauto.wallets.google.api.SandboxWalletApi"
