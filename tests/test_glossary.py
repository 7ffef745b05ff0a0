"""The Appendix glossary: every key term of the book, in English and Chinese, linked to where it is taught.

The glossary is the MyST ``{glossary}`` directive after ``(sec-glossary)=`` in
``book/09-appendix.md``, a definition list with one entry per term::

    english term
    : 中文 · [chapter](#label)

MyST gives each term an id (``term-...``) that ``{term}`` roles link to -- the chapters' learning
objectives do, and MyST reports a ``{term}`` without an entry. The tests check that

- every link target ``#label`` is a ``(label)=`` defined in some ``book/*.md``. A chapter label
  (``#ch-autograd`` ...) whose chapter file does not exist yet is reported as a *skip*, not a
  failure; once the chapter file exists, a missing label fails;
- a core list of terms is there with its usual Chinese name; the terms are unique and in
  alphabetical order;
- every ``{term}`` role in the book names a term of the glossary;
- the book's key terms are all there. The key terms are read from the chapters present when the
  tests run: every **bold** term in a chapter's "Learning objectives" admonition must match a
  glossary term (equal to it, or one contained in the other word for word: "leaf" matches "leaf
  tensor"), unless it is listed in ``NOT_TERMS`` (bold used for emphasis); a bold ``{term}``
  role counts by the text it shows. At least one glossary term must appear in each chapter's
  H1 title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import BOOK

APPENDIX = BOOK / "09-appendix.md"
GLOSSARY_ANCHOR = "(sec-glossary)="

# The chapter that defines each chapter label; a label of a chapter not written yet is skipped.
CHAPTER_OF_LABEL = {
    "ch-tensors": "01",
    "ch-autograd": "02",
    "ch-linear-regression": "03",
    "ch-gradient-descent": "04",
    "ch-classification": "05",
    "ch-cnn": "06",
    "ch-mnist": "07",
    "ch-capstone": "08",
    "ch-appendix": "09",
}

# Terms the glossary must always have, with their usual Chinese names.
CORE_TERMS = {
    "tensor": "张量",
    "autograd": "自动求导",
    "backpropagation": "反向传播",
    "gradient": "梯度",
    "gradient descent": "梯度下降",
    "learning rate": "学习率",
    "loss function": "损失函数",
    "optimizer": "优化器",
    "convolutional neural network": "卷积神经网络",
    "convolution": "卷积",
    "pooling": "池化",
    "batch normalization": "批归一化",
    "overfitting": "过拟合",
    "epoch": "轮",
    "GPU": "GPU",
}

# Bold words in learning objectives that are emphasis or verbs, not glossary terms. A new bold
# objective term must be added either to the glossary or here -- a deliberate choice either way.
NOT_TERMS = {
    "accumulate",  # the glossary has "gradient accumulation"
    "by hand",
    "clip",  # "gradient clipping"
    "from scratch",
    "idiomatic",
    "load",  # "state dict"
    "save",  # "state dict"
}

LABEL_DEFINITION = re.compile(r"^\(([A-Za-z0-9_-]+)\)=\s*$", re.MULTILINE)
GLOSSARY_BLOCK = re.compile(r"^:::\{glossary\}\n(.*?)\n:::$", re.MULTILINE | re.DOTALL)
DEFINITION = re.compile(
    r"^: (?P<chinese>.+?) · \[(?P<chapter>[^\]]+)\]\(#(?P<label>[A-Za-z0-9_-]+)\)$"
)
# {term}`text` or {term}`text <glossary term>`
TERM_ROLE = re.compile(r"\{term\}`(?P<text>[^`<]+?)\s*(?:<(?P<target>[^>`]+)>)?`")
CJK = re.compile(r"[\u4e00-\u9fff]")
BOLD = re.compile(r"\*\*(.+?)\*\*")
TITLE = re.compile(r"^# (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Row:
    english: str
    label: str
    chinese: str
    chapter: str

    @property
    def names(self) -> set[str]:
        """The normalized English names: the whole term, the part before the brackets, and each
        comma-separated name inside them."""
        outside = re.sub(r"\(.*?\)", " ", self.english)
        inside = [
            name for group in re.findall(r"\((.*?)\)", self.english) for name in group.split(",")
        ]
        return {normalize(n) for n in [self.english, outside, *inside] if normalize(n)}


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "ous", "is", "as")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def normalize(term: str) -> str:
    """Lower case, no Markdown, hyphens as spaces, each word singular: 'Strides' -> 'stride'."""
    term = re.sub(r"[`*]", "", term).lower()
    term = re.sub(r"[^\w\s.]|_", " ", term)
    return " ".join(_singular(word) for word in term.split())


def parse_glossary(text: str) -> list[Row]:
    """The entries of the ``{glossary}`` that follows ``(sec-glossary)=`` in ``text``."""
    if GLOSSARY_ANCHOR not in text:
        raise ValueError(f"no glossary: {GLOSSARY_ANCHOR} not found")
    block = GLOSSARY_BLOCK.search(text.split(GLOSSARY_ANCHOR, 1)[1])
    if block is None:
        raise ValueError("the glossary has no :::{glossary} ... ::: block")
    rows = []
    for entry in block[1].strip().split("\n\n"):
        lines = entry.strip().splitlines()
        if len(lines) != 2:
            raise ValueError(f"a glossary entry is a term line and a definition line: {entry!r}")
        definition = DEFINITION.match(lines[1])
        if definition is None:
            raise ValueError(f"a definition reads ': 中文 · [chapter](#label)': {lines[1]!r}")
        rows.append(
            Row(lines[0].strip(), definition["label"], definition["chinese"], definition["chapter"])
        )
    return rows


def term_label(english: str) -> str:
    """How a ``{term}`` role names a glossary term: its text without Markdown, any case."""
    return " ".join(english.replace("`", "").split()).lower()


def shown_text(markdown: str) -> str:
    """``markdown`` with each ``{term}`` role replaced by the text it shows."""
    return TERM_ROLE.sub(lambda found: found["text"], markdown)


def defined_labels(book: Path) -> dict[str, Path]:
    """Every ``(label)=`` in the book's Markdown files, with the file that defines it."""
    return {
        label: path
        for path in sorted(book.glob("*.md"))
        for label in LABEL_DEFINITION.findall(path.read_text(encoding="utf-8"))
    }


def chapter_file(book: Path, number: str) -> Path | None:
    found = sorted(book.glob(f"{number}-*.md"))
    return found[0] if found else None


def link_problems(book: Path, rows: list[Row]) -> tuple[list[str], list[str]]:
    """(dangling links -- failures, links to chapters that are not written yet -- skips)."""
    labels = defined_labels(book)
    dangling, not_yet = [], []
    for label in sorted({row.label for row in rows}):
        if label in labels:
            continue
        number = CHAPTER_OF_LABEL.get(label)
        existing = chapter_file(book, number) if number else None
        if number and existing is None:
            not_yet.append(f"#{label}: chapter {number} is not in {book.name}/ yet")
        elif existing is not None:
            dangling.append(f"#{label}: {existing.name} exists but defines no ({label})= label")
        else:
            dangling.append(f"#{label}: no ({label})= label in any {book.name}/*.md")
    return dangling, not_yet


def key_terms(chapter_text: str) -> tuple[str, list[str]]:
    """A chapter's title (after 'NN · ') and the bold terms of its learning objectives."""
    title = TITLE.search(chapter_text)
    if title is None:
        raise ValueError("the chapter has no '# ' title")
    name = title[1].split("·", 1)[-1].strip()
    objectives = re.search(
        r":::\{admonition\} Learning objectives\n(.*?)\n:::", chapter_text, re.DOTALL
    )
    bold = BOLD.findall(shown_text(objectives[1])) if objectives else []
    return name, bold


def _within(part: str, whole: str) -> bool:
    """``part`` occurs in ``whole`` as whole words."""
    return f" {part} " in f" {whole} "


def covered(term: str, names: set[str]) -> bool:
    """A glossary name equals ``term``, or one contains the other word for word."""
    term = normalize(term)
    return any(_within(term, name) or _within(name, term) for name in names)


def missing_key_terms(chapter_text: str, rows: list[Row]) -> list[str]:
    """The key terms of a chapter that the glossary does not have."""
    names = set().union(*(row.names for row in rows))
    title, bold = key_terms(chapter_text)
    missing = [
        f"objective term {term!r}"
        for term in bold
        if normalize(term) not in NOT_TERMS and not covered(term, names)
    ]
    if not any(_within(name, normalize(title)) for name in names):
        missing.append(f"title {title!r} (none of its words is a glossary term)")
    return missing


# -- the real glossary ------------------------------------------------------------------------

ROWS = parse_glossary(APPENDIX.read_text(encoding="utf-8"))
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]-*.md"))


def test_glossary_has_a_row_per_term_with_a_chinese_name():
    assert len(ROWS) >= 60
    without_chinese = [row.english for row in ROWS if not CJK.search(row.chinese)]
    assert without_chinese == []


def test_glossary_terms_are_unique_and_alphabetical():
    english = [row.english.lower() for row in ROWS]
    assert len(english) == len(set(english)), "a term appears twice"
    assert english == sorted(english), "keep the glossary in alphabetical order"


@pytest.mark.parametrize(("english", "chinese"), sorted(CORE_TERMS.items()))
def test_core_terms_are_in_the_glossary(english, chinese):
    rows = [row for row in ROWS if normalize(english) in row.names]
    assert rows, f"{english!r} is missing from the glossary"
    assert any(chinese in row.chinese for row in rows), f"{english!r} should say {chinese}"


def test_every_term_role_names_a_glossary_term():
    terms = {term_label(row.english) for row in ROWS}
    roles = [
        (path.name, found["target"] or found["text"])
        for path in sorted(BOOK.glob("*.md"))
        for found in TERM_ROLE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert len(roles) >= 40, "the learning objectives link their terms to the glossary"
    assert [(name, t) for name, t in roles if term_label(t) not in terms] == []


@pytest.mark.parametrize("label", sorted({row.label for row in ROWS}))
def test_every_link_target_is_a_label_of_the_book(label):
    dangling, not_yet = link_problems(BOOK, [row for row in ROWS if row.label == label])
    assert dangling == []
    if not_yet:
        pytest.skip(f"cannot check yet: {not_yet[0]}")


def test_chapter_column_names_the_chapter_of_the_link():
    labels = defined_labels(BOOK)
    wrong = []
    for row in ROWS:
        number = CHAPTER_OF_LABEL.get(row.label)
        if number is None and row.label in labels:
            number = labels[row.label].name[:2]
        if number is None:
            continue  # a dangling link: reported by the link test
        expected = "Appendix" if number == "09" else number
        if not row.chapter.startswith(expected):
            wrong.append(f"{row.english}: {row.chapter!r} should start with {expected!r}")
    assert wrong == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_key_terms_of_every_chapter_are_in_the_glossary(chapter):
    missing = missing_key_terms(chapter.read_text(encoding="utf-8"), ROWS)
    assert missing == [], f"add to the glossary in {APPENDIX.name}: {missing}"


# -- the checks themselves catch what they should ----------------------------------------------

GLOSSARY = """\
(sec-glossary)=
## Glossary

:::{glossary}
tensor
: 张量 · [01 Tensors](#ch-tensors)

gradient
: 梯度 · [02 Autograd](#ch-autograd)

pooling
: 池化 · [05 CNN](#ch-pooling)

convolutional neural network (CNN)
: 卷积神经网络 · [05 CNN](#ch-cnn)
:::

After the glossary.
"""


def _book(tmp_path: Path, **chapters: str) -> Path:
    for name, text in chapters.items():
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    return tmp_path


def test_parse_reads_term_label_chinese_and_chapter():
    rows = parse_glossary(GLOSSARY)
    assert [r.english for r in rows][:2] == ["tensor", "gradient"]
    assert rows[0] == Row("tensor", "ch-tensors", "张量", "01 Tensors")
    assert rows[3].names == {
        "convolutional neural network cnn",
        "convolutional neural network",
        "cnn",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no glossary here", "no glossary"),
        ("(sec-glossary)=\n\n| a | b | c |\n|---|---|---|\n", "no :::{glossary}"),
        ("(sec-glossary)=\n:::{glossary}\ntensor\n: 张量 · 01 Tensors\n:::\n", "reads ': 中文"),
        ("(sec-glossary)=\n:::{glossary}\ntensor\n:::\n", "a term line and a definition"),
    ],
)
def test_parse_rejects_a_broken_glossary(text, message):
    with pytest.raises(ValueError, match=message):
        parse_glossary(text)


def test_dangling_links_fail_and_unwritten_chapters_are_only_reported(tmp_path):
    book = _book(
        tmp_path,
        **{
            "01-tensors": "(ch-tensors)=\n# 01 · Tensors\n",
            "06-cnn": "# 06 · CNNs, with no label\n",
            "09-appendix": GLOSSARY,
        },
    )
    dangling, not_yet = link_problems(book, parse_glossary(GLOSSARY))
    assert dangling == [
        "#ch-cnn: 06-cnn.md exists but defines no (ch-cnn)= label",
        "#ch-pooling: no (ch-pooling)= label in any " + tmp_path.name + "/*.md",
    ]
    assert not_yet == ["#ch-autograd: chapter 02 is not in " + tmp_path.name + "/ yet"]


def test_term_roles_count_by_the_text_they_show():
    assert shown_text("**{term}`dtype <data type (dtype)>`** and {term}`shape`") == (
        "**dtype** and shape"
    )
    chapter = (
        "# 01 · Tensors\n\n:::{admonition} Learning objectives\n\n"
        "- use **{term}`Tensors <tensor>`** and **{term}`pooling`**\n:::\n"
    )
    assert key_terms(chapter) == ("Tensors", ["Tensors", "pooling"])
    assert missing_key_terms(chapter, parse_glossary(GLOSSARY)) == []
    assert (
        term_label("anomaly detection (`detect_anomaly`)") == "anomaly detection (detect_anomaly)"
    )


def test_missing_key_terms_are_named():
    rows = parse_glossary(GLOSSARY)
    chapter = (
        "(ch-x)=\n# 08 · Recurrent networks\n\n:::{admonition} Learning objectives\n:class: tip\n\n"
        "- use **Tensors** and **CNNs** **from scratch**;\n- train on **in-memory tensors**;\n"
        "- explain **attention**.\n:::\n\nLater **bold** text.\n"
    )
    assert missing_key_terms(chapter, rows) == [
        "objective term 'attention'",
        "title 'Recurrent networks' (none of its words is a glossary term)",
    ]
    assert missing_key_terms("# 02 · Gradients of tensors\n", rows) == []
    names = {"leaf tensor", "tensor"}
    assert covered("leaf", names) and covered("Tensors", names) and covered("a tensor", names)
    assert not covered("leaves", names) and not covered("ten", names)
    with pytest.raises(ValueError, match="no '# ' title"):
        key_terms("no title")


@pytest.mark.parametrize(
    ("term", "normalized"),
    [
        ("Strides", "stride"),
        ("**broadcasting**", "broadcasting"),
        ("define-by-run", "define by run"),
        ("`requires_grad`", "require grad"),  # consistent, if not English
        ("GPUs", "gpu"),
        ("contiguous", "contiguous"),
        ("batches", "batch"),
        ("probabilities", "probability"),
        ("loss", "loss"),
        ("bias", "bias"),
        ("`nn.Module`", "nn.module"),
    ],
)
def test_normalize(term, normalized):
    assert normalize(term) == normalized
