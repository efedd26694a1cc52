"""What the tests and the benches share: migrations, throwaway databases, a live server.

Imports nothing else from tests/ (tests/test_architecture.py checks), so bench/ can use
it without pulling in fixtures or test modules.
"""
