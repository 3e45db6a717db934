"""The law as data: each legal regime's rules and commitment text, and the values they
speak of (classification, format, phase). It imports no domain package."""
