# The commands a newcomer needs; each sets up what is missing first (scripts/setup.sh), so running one
# twice is harmless.
.PHONY: setup run app test lint samples clean-data

setup:
	@bash scripts/setup.sh

# Audit the bundled sample streets, store the audits in data/auditor.db and rank the halls.
run: setup
	.venv/bin/auditor samples

# The Streamlit app (http://localhost:8501).
app: setup
	.venv/bin/streamlit run app.py

test: setup
	.venv/bin/python -m pytest -q

lint: setup
	.venv/bin/ruff check .

# Regenerate the sample streets (synthetic, fixed seed) with their truth.
samples: setup
	.venv/bin/python scripts/make_samples.py

clean-data:
	rm -rf data/
