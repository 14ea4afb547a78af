"""Recruitment: inquiries become leads, leads come to information sessions, attendees are invited to apply."""
