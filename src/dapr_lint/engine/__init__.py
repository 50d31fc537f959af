"""The engine: what runs rules over files. run.py is the one orchestrator of a run (cache lookup, file stage,
project stage, project fixes); file_stage.py checks one file (python_stage.py for Python, the resources package
for YAML), fixes.py applies fixes, project_stage.py runs the project rules over every summary, demand.py says
what the enabled rules need, and workers.py runs the file stage in worker processes under budgets."""
