"""Steps that cross packages in one transaction: a change to a fact the checklist's rules
depend on, with the checklist re-derived; the gates that clear and close a meeting."""
