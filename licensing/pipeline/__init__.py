"""The homefinder's recruitment workspace: every family from inquiry to license (the board), the numbers
(metrics, reports) and messages to groups of families (announcements). Reads leads, applications and licenses."""
