"""The data import: the import format's records as pydantic models (`records`), their problems
as `path: message` (`problems`), and the entry points that validate a whole document
(`validation`)."""
