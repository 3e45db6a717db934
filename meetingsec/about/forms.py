from meetingsec.core.forms import Form


class SelfcheckForm(Form):
    """A button: check the files now (CSRF only)."""
