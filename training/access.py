"""Who may see which cohort: the one rule, used by the trainer workspace, the essay-marking
queue, the import and Wagtail's cohort snippet (through its permission policy).

Course leads (permission ``supervise_all_cohorts``) and superusers supervise every cohort; a
trainer supervises the cohorts they train; nobody else supervises any.
"""

from wagtail.permission_policies import ModelPermissionPolicy

from training.models import Cohort

SUPERVISE_ALL_PERMISSION = "training.supervise_all_cohorts"
VIEW_COHORT_PERMISSION = "training.view_cohort"
CHANGE_COHORT_PERMISSION = "training.change_cohort"
UNIT_AGGREGATES_PERMISSION = "training.view_unit_aggregates"


def supervises_all_cohorts(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(SUPERVISE_ALL_PERMISSION))


def supervised_cohorts(user):
    """The rule itself: all cohorts for those who supervise all, else the ones the user trains."""
    if supervises_all_cohorts(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(trainers=user)


def supervises(user, cohort: Cohort) -> bool:
    return supervises_all_cohorts(user) or cohort.trainers.filter(pk=user.pk).exists()


def cohorts_for(user):
    """Cohorts whose participants the user may see: all for course leads (and superusers),
    the cohorts they train for trainers, none for anybody else."""
    if not (user.is_authenticated and user.is_active and user.has_perm(VIEW_COHORT_PERMISSION)):
        return Cohort.objects.none()
    return supervised_cohorts(user)


def can_change_cohort(user, cohort: Cohort) -> bool:
    return (
        user.has_perm(CHANGE_COHORT_PERMISSION) and cohorts_for(user).filter(pk=cohort.pk).exists()
    )


class CohortPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's model permissions as usual, narrowed to the cohorts of the one rule
    (``cohorts_for``): all for the Kursleitung, the own for a trainer."""

    def _supervises(self, user, instance) -> bool:
        return cohorts_for(user).filter(pk=instance.pk).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._supervises(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self._supervises(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Cohort.objects.none()
        return cohorts_for(user)
