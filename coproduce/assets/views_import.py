"""Coordinators import another directory's Open Referral UK feed: a URL, or a file of one page."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.assets import importer
from coproduce.members.permissions import require_coordinator

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def web_fetch(url: str) -> bytes:
    """From the page only public addresses are fetched: a coordinator's URL must not reach our network."""
    return importer.http_fetch(url, public_only=True)


class ImportForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("The feed's address"),
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text=gettext_lazy(
            "The base address of an Open Referral UK feed: the one that answers with its "
            "version. It often ends in /oruk/. Its services are read page by page."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Or a file"),
        required=False,
        help_text=gettext_lazy(
            "A JSON file holding one page of a feed's services, or a list of services."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("url") and cleaned.get("file"):
            raise forms.ValidationError(_("Give the feed's address or a file, not both."))
        if not cleaned.get("url") and not cleaned.get("file") and not self.errors:
            self.add_error("url", _("Enter the feed's address, or choose a file."))
        return cleaned


@login_required
def import_directory(request, slug):
    """Read a feed (all or nothing) and show what was created, updated, left unchanged or in conflict."""
    access = require_coordinator(request, slug)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    report, errors = None, []
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["url"]:
                report = importer.import_feed(
                    access.community, form.cleaned_data["url"], actor=request.user, fetch=web_fetch
                )
            else:
                upload = form.cleaned_data["file"]
                report = importer.import_file(
                    access.community, upload.read(), name=upload.name, actor=request.user
                )
        except importer.ImportFailed as failure:
            errors = failure.errors
    return render(
        request,
        "assets/import.html",
        {
            "access": access,
            "community": access.community,
            "form": form,
            "report": report,
            "errors": errors,
        },
    )
