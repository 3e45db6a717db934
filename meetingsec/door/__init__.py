"""The door: check-in against the approved list, deposited devices with claim tickets,
the signed commitment, refusals, exits, re-entries and returns."""
