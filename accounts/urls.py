from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("daten/", views.data_export, name="data_export"),
    path("daten/meine-daten.json", views.data_export_download, name="data_export_download"),
    path("loeschen/", views.erase, name="erase"),
    path("zwei-faktor/", views.second_factor_setup, name="second_factor_setup"),
    path("zwei-faktor/code/", views.second_factor_verify, name="second_factor_verify"),
    path("zwei-faktor/ausschalten/", views.second_factor_disable, name="second_factor_disable"),
]
