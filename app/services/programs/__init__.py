"""What a program runs: its cohort and pacing, assignments, roster imports, accreditation, CTC recommendations, settings and resources."""
