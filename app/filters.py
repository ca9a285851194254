"""Template filters shared by every page and email."""

from __future__ import annotations

from flask import Flask

from app.services.enrollments import words
from workflows.program_years import in_words
from workflows.registry import plugin, plugins
from workflows.vocabulary import counted, in_sentence, sentence, step_in_sentence


def init_app(app: Flask) -> None:
    app.add_template_filter(sentence)
    app.add_template_filter(in_sentence)
    app.add_template_filter(counted)
    app.add_template_filter(step_in_sentence)
    # Dates, countdowns and figures in words, one way everywhere ("2 March 2027", "about 4 years left", "40").
    app.add_template_filter(words.day_in_words, "long_date")
    app.add_template_filter(words.countdown, "countdown")
    # A stored moment's clock time on the organisation's calendar ("14:05"), beside its day.
    app.add_template_filter(words.local_time, "local_time")
    app.add_template_filter(words.figure, "figure")
    # What a page may ask of an enrolment's pathway (its supporter, its logs), from the registry.
    app.add_template_global(plugin, "pathway_of")
    app.jinja_env.globals["pathway_shorts"] = in_words([p.short for p in plugins()], "or")
