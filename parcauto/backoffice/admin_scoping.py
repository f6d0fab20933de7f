"""Back-office admin classes whose permissions derive from staff roles, and which audit.

The matrix lives in `parcauto.accounts.roles`. These bases cover every model:

- `RoleAwareAdmin`: operator admins only (people, staff roles); `ReadOnlyOperatorAdmin`
  for records they only look up (the outbox, vehicles). The site wraps any
  ModelAdmin that does not derive from it (allauth's, task results, a forgotten base) in
  `ForeignAdminWrapper`: operator admins only, so it fails closed instead of falling back
  to Django's permission tables.
- `OrganizationScopedAdmin`: rows that belong to an institution (catalog, legal texts).
  The changelist, change pages and autocomplete only ever hold rows of institutions the
  staff member has a role for; managers add, change and delete, agents only view; the
  institution and any related row offered in a form are narrowed to the institutions the
  staff member manages; and saving or deleting re-checks the row's institution before and
  after the edit, so a forged POST naming another institution's row is refused.
- `ReadOnlyOrganizationScopedAdmin`: records of what happened (audit, contracts,
  payments), viewed with the same narrowing and changed by nobody.

Every change made through the admin writes an audit event in its transaction:
`admin.<app>.<model>.added|changed|deleted`, with the names of the changed fields (names
only: the audit trail must not become a copy of personal data), or
`admin.<app>.<model>.<action name>` per row for a custom admin action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import Action, ActionLocation, BaseModelAdmin
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest

from parcauto.accounts.models import User
from parcauto.accounts.roles import StaffAccess, staff_access
from parcauto.audit.models import AuditEvent
from parcauto.audit.services import audit_log
from parcauto.core.fields import IdMultipleChoiceField
from parcauto.tenants.models import Organization

from .admin_params import RequestValuesAdminMixin

_ACCESS_ATTRIBUTE = "_parcauto_staff_access"


def access_for(request: HttpRequest) -> StaffAccess:
    """The signed-in person's access, read once per request (the admin asks many times)."""
    cached = getattr(request, _ACCESS_ATTRIBUTE, None)
    if cached is not None and cached[0] == request.user.pk:
        return cached[1]
    access = staff_access(request.user)
    setattr(request, _ACCESS_ATTRIBUTE, (request.user.pk, access))
    return access


def _actor(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def _action(model: type[models.Model] | models.Model, verb: str) -> str:
    action = f"admin.{model._meta.app_label}.{model._meta.model_name}.{verb}"
    return action[: AuditEvent._meta.get_field("action").max_length]


def _tenant_model(model: type[models.Model]) -> bool:
    """A model whose rows belong to one institution through an `organization` key."""
    try:
        field = model._meta.get_field("organization")
    except FieldDoesNotExist:
        return False
    return bool(field.is_relation and field.related_model is Organization)


class AuditedAdminMixin:
    """Writes an audit event for each object added, changed or deleted in the admin."""

    def audit_organization(self, obj: models.Model) -> Organization | None:
        return None

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            fields = sorted(form.changed_data)
            if change and not fields:
                return  # "Save" without a change changes nothing
            self._audit(request, obj, "changed" if change else "added", fields)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit(request, obj, "deleted")
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, obj, "deleted")
            super().delete_queryset(request, queryset)  # type: ignore[misc]

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseModelFormSet, change: bool
    ) -> None:
        """Inline rows are audited under their parent's institution."""
        organization = self.audit_organization(form.instance)
        with transaction.atomic():
            for deleted in formset.deleted_forms:
                if deleted.instance.pk is not None:  # before deletion forgets the id
                    self._audit(request, deleted.instance, "deleted", None, organization)
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            forms = {id(inline_form.instance): inline_form for inline_form in formset.forms}
            for obj in formset.new_objects:
                added = forms.get(id(obj))
                fields = sorted(added.changed_data) if added is not None else []
                self._audit(request, obj, "added", fields, organization)
            for obj, changed in formset.changed_objects:
                self._audit(request, obj, "changed", sorted(changed), organization)

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Action | None]:
        """Custom actions (allauth's "mark as verified"...) change rows without save_model:
        each selected row gets an event named after the action. Deletion is audited above."""
        actions: dict[str, Action | None] = super().get_actions(  # type: ignore[misc]
            request, action_location=action_location
        )
        return {
            name: (
                action
                if action is None or name == "delete_selected"
                else replace(action, func=self._audited_action(action.func, name))
            )
            for name, action in actions.items()
        }

    def _audited_action(self, func: Callable[..., Any], name: str) -> Callable[..., Any]:
        @wraps(func)
        def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
            with transaction.atomic():
                selected = list(queryset)  # before the action changes what matches
                response = func(modeladmin, request, queryset)
                for obj in selected:
                    self._audit(request, obj, name)
            return response

        return run

    def _audit(
        self,
        request: HttpRequest,
        obj: models.Model,
        verb: str,
        fields: list[str] | None = None,
        organization: Organization | None = None,
    ) -> None:
        organization = organization or self.audit_organization(obj)
        if verb == "deleted" and isinstance(obj, Organization):
            # The event must not point at the row it outlives (AuditEvent protects it).
            organization = None
        audit_log(
            action=_action(obj, verb),
            actor=_actor(request),
            organization=organization,
            target=obj,
            data={} if fields is None else {"fields": fields},
        )


class RoleAwareAdmin(RequestValuesAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Operator admins only: the base every back-office ModelAdmin derives from."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access_for(request).operator_admin

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access_for(request).operator_admin

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin


class _ChangedByNobody:
    """Read-only: no add, change or delete, whatever the role."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyOperatorAdmin(_ChangedByNobody, RoleAwareAdmin):
    """Records only operator admins look up, and nobody changes here."""


class ForeignAdminWrapper(RequestValuesAdminMixin, AuditedAdminMixin):
    """Wraps a ModelAdmin written elsewhere (allauth, task results): operator admins only,
    and never more than that class itself allows (task results stay read-only)."""

    def _class_allows(self, name: str, request: HttpRequest, *args: Any) -> bool:
        mro = type(self).__mro__
        for klass in mro[mro.index(ForeignAdminWrapper) + 1 :]:
            if name in vars(klass):
                if klass in (admin.ModelAdmin, BaseModelAdmin):
                    return True  # Django's default reads the permission tables: not ours
                return bool(vars(klass)[name](self, request, *args))
        return True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access_for(request).operator_admin

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin and self._class_allows(
            "has_view_permission", request, obj
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return access_for(request).operator_admin and self._class_allows(
            "has_add_permission", request, *args
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin and self._class_allows(
            "has_change_permission", request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin and self._class_allows(
            "has_delete_permission", request, obj
        )


class _NarrowedChoicesMixin:
    """Offers only institutions (and their rows) the staff member may change."""

    def _narrow(self, db_field: models.Field[Any, Any], request: HttpRequest, kwargs: Any) -> None:
        access = access_for(request)
        if access.operator_admin:
            return
        related = db_field.related_model
        if related is Organization:
            kwargs["queryset"] = access.editable_organizations()
        elif isinstance(related, type) and _tenant_model(related):
            kwargs["queryset"] = related._default_manager.filter(organization__in=access.managed)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._narrow(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._narrow(db_field, request, kwargs)
        # Django's own field sends the posted ids to the database as they are: a 23-digit
        # one raised OverflowError on SQLite (a 500).
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class OrganizationScopedAdmin(_NarrowedChoicesMixin, RoleAwareAdmin):
    """Rows of one institution: managers edit theirs, agents view theirs.

    `organization_field` is the lookup path from the model to its institution:
    `"organization"` (the default), `"lot__organization"` for a row reached through a
    parking lot, or `"pk"` for the Organization model itself.
    """

    organization_field = "organization"

    # --- which institution a row belongs to ---------------------------------------------
    def organization_id_of(self, obj: models.Model) -> int | None:
        if self.organization_field == "pk":
            return obj.pk
        *path, last = self.organization_field.split("__")
        target: Any = obj
        for name in path:
            target = getattr(target, name, None)
            if target is None:
                return None
        return getattr(target, f"{last}_id", None)

    def stored_organization_id(self, obj: models.Model) -> int | None:
        """The institution of the row as it is in the database (before this edit)."""
        return (
            type(obj)
            ._base_manager.filter(pk=obj.pk)
            .values_list(self.organization_field, flat=True)
            .first()
        )

    def audit_organization(self, obj: models.Model) -> Organization | None:
        organization_id = self.organization_id_of(obj)
        if organization_id is None:
            return None
        if isinstance(obj, Organization):
            return obj
        return Organization.objects.filter(pk=organization_id).first()

    # --- what the staff member sees -------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        access = access_for(request)
        if access.operator_admin:
            return queryset
        return queryset.filter(**{f"{self.organization_field}__in": access.visible})

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A filter on a relation lists only the related rows present in the narrowed list,
        not every institution's lots or categories."""
        list_filter = super().get_list_filter(request)
        if access_for(request).operator_admin:
            return list_filter
        return [self._related_only(item) for item in list_filter]

    def _related_only(self, item: Any) -> Any:
        if not isinstance(item, str) or "__" in item:
            return item
        try:
            field = self.model._meta.get_field(item)
        except FieldDoesNotExist:
            return item
        return (item, admin.RelatedOnlyFieldListFilter) if field.is_relation else item

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access_for(request).works_in_office

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        access = access_for(request)
        if obj is None:
            return access.works_in_office
        return access.may_view(self.organization_id_of(obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access_for(request).may_edit_somewhere

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        access = access_for(request)
        if obj is None:
            return access.may_edit_somewhere
        return access.may_edit(self.organization_id_of(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    # --- what the staff member may write --------------------------------------------------
    def refuse_unless_editable(self, request: HttpRequest, obj: models.Model) -> None:
        """The row's institution, before and after the edit, must be one the person manages."""
        access = access_for(request)
        if access.operator_admin:
            return
        stored = obj.pk is not None and not obj._state.adding
        if stored and not access.may_edit(self.stored_organization_id(obj)):
            raise PermissionDenied
        if not access.may_edit(self.organization_id_of(obj)):
            raise PermissionDenied

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        self.refuse_unless_editable(request, obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.refuse_unless_editable(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.refuse_unless_editable(request, obj)
        super().delete_queryset(request, queryset)


class ReadOnlyOrganizationScopedAdmin(_ChangedByNobody, OrganizationScopedAdmin):
    """Records of what happened: viewed by the staff of their institution, edited by nobody."""


class OrganizationScopedInlineMixin(_NarrowedChoicesMixin):
    """An inline follows its parent: viewed with it, edited by whoever may edit the parent."""

    admin_site: admin.AdminSite
    parent_model: type[models.Model]

    def _parent_admin(self) -> OrganizationScopedAdmin:
        parent_admin = self.admin_site.get_model_admin(self.parent_model)
        if not isinstance(parent_admin, OrganizationScopedAdmin):
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs a parent admin derived from OrganizationScopedAdmin"
            )
        return parent_admin

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)


class OrganizationScopedTabularInline(OrganizationScopedInlineMixin, admin.TabularInline):
    pass


class OrganizationScopedStackedInline(OrganizationScopedInlineMixin, admin.StackedInline):
    pass


class OperatorEditedInlineMixin:
    """An inline only operator admins change (host names, staff roles); others may view."""

    admin_site: admin.AdminSite
    parent_model: type[models.Model]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        parent_admin = self.admin_site.get_model_admin(self.parent_model)
        return bool(parent_admin.has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access_for(request).operator_admin
