"""Polls, voter rolls, ballots, delegations and results — built by the voting issue."""
