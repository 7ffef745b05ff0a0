"""Run by every kernel that ``pytorch-lessons lab`` starts (it is their ``PYTHONSTARTUP``): the
"run the cells above first" hint holds from a fresh kernel on, before any chapter cell ran."""

import pytorch_lessons.lesson as _lesson

_lesson.install_name_error_hint()
del _lesson
