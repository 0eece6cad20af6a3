"""Question interchange: GIFT and Moodle XML in and out of quiz snippets.

``gift`` and ``moodle_xml`` turn text into :class:`~workspace.interchange.model.RawQuestion`
objects (Moodle's own vocabulary: question types, answer fractions) and back; ``mapping`` maps
those to our question blocks or refuses them with a reason; ``services`` saves a reviewed import
as a draft and exports a revision. Everything but ``services`` and ``admin`` is pure.
"""
