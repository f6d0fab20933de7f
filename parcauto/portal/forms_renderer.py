from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Every `{{ field.as_field_group }}` gets a label, Bootstrap classes and ARIA errors."""

    field_template_name = "forms/field.html"
