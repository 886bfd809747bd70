"""The mentor side of the classroom: how each frozen mentor runs
(:mod:`.mentor_program` and its implementations)."""
