"""Assessment: the rubric that proposes a grade per graded question, with the rules that fired."""

from openpeel.assessment.rubric import Proposal, RuleResult, load_rubric, propose_grades

__all__ = ["Proposal", "RuleResult", "load_rubric", "propose_grades"]
