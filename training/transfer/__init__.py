"""Transfer tasks (*Praxisauftrag*): per section, the participant describes how they applied it
at their workplace; a trainer of their cohort accepts it or asks for a revision."""
