"""nbgrader configuration of the course: stock nbgrader and `python -m autograder` read it."""

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.course_id = "autograd-by-doing"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# Lesson data and pictures live next to the notebooks; checkpoints never ship.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a course notebook runs in seconds; these bound a runaway submission.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
