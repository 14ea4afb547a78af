"""Support groups: recurring meetings, membership, RSVPs with childcare, attendance that can count as hours."""
