"""Investigation notebooks: parameters, papermill creation and execution, the cells' session."""
