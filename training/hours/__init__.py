"""Attendance, credited hours, the agency's training rules, certificates, and what they feed into the checklist."""
