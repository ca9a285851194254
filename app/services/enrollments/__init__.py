"""The enrolment: its facts for the pathway engine, moving it along the pathway, its details, dashboard, sign-up and export."""
