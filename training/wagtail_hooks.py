"""The training app in the Wagtail admin: the Quiz snippet (training.quizzes.snippets) and the
permission policy that narrows the Cohort snippet to the cohorts a user supervises
(training.access). The cohort screens themselves belong to the trainer workspace."""

from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from training.access import CohortPermissionPolicy
from training.models import Cohort
from training.quizzes.snippets import CourseRulesViewSet, QuizViewSet

register_permission_policy(Cohort, CohortPermissionPolicy(Cohort))
register_snippet(QuizViewSet)
register_snippet(CourseRulesViewSet)
