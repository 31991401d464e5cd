"""Speaking: the text speaker (the transcript mirror, always on) and, later, voice engines."""
