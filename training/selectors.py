"""Read-side queries of participants' learning state."""

from training.models import Enrollment, Quiz


def dashboard_for(user) -> dict:
    enrollments = list(Enrollment.objects.filter(user=user).select_related("cohort"))
    return {"enrollments": enrollments}


def module_quiz(module_id: int) -> Quiz | None:
    """The live quiz placed in the module's published body, if any."""
    from cms.models import ModulePage

    module = ModulePage.objects.filter(pk=module_id).only("pk", "body").first()
    if module is None:
        return None
    for block in module.body:
        if block.block_type == "quiz" and block.value["quiz"] is not None:
            quiz = block.value["quiz"]
            return quiz if quiz.live else None
    return None
