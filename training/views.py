from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from training.selectors import dashboard_for


@login_required
def dashboard(request):
    return render(request, "training/dashboard.html", dashboard_for(request.user))
