"""What people see of an enrolment's progress: its dashboard, the candidate's home, the record export.

Above the enrolment, its sign-offs and its evidence: these read all three, and nothing below reads them.
"""
