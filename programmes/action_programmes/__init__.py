"""Action programmes: registration, the quality check, confirmation, amendments, progress and evidence."""
