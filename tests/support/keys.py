"""The secret key every test process uses (long enough for production settings)."""

TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghij"
