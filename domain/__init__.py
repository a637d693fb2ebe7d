"""ScoreTrail domain: the Evaluation aggregate, its events and scoring rules."""
