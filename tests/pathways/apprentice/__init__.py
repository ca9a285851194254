"""A test-only pathway: an apprentice teacher is observed and certified within a window.

Four states (applied, in review, certified, lapsed), two documents, one sign-off role (the site
administrator), one deadline and one time-driven event. It lives only under `tests/`: the suite
installs it through CREDENTIAL_TRACKER_PATHWAYS, and no file of `app/` names it.
"""
