"""The law as data: each legal regime's rules and commitment text, and the values they
speak of (classification, format, phase). Below the meeting, the door and the checklist,
which all read it; it reads only the users' roles (who does a rule)."""
