"""What software this server runs, and whether its files are still the release's: ``flask
about``, ``flask selfcheck``, the page "Thông tin phần mềm" and the daily check (jobs)."""
