"""Staff accounts: the second factor every staff sign-in needs, its enrolment and its reset."""
