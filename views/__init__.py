"""The app's screens, one file per screen (run by st.navigation in app.py); shared plumbing in common.py.
The logic lives in the auditor package: a view only lays out what it returns."""
