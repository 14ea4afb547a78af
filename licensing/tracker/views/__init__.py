"""Routes of the tracker: the family's checklist, the homefinder's household view, and the supervisor's decisions."""
