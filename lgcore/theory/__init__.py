"""Numerical engines and closed forms of the papers' theory."""
