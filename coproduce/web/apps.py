from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "coproduce.web"
    verbose_name = "Web pages"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from coproduce.web.middleware import keep_language_chosen_before_log_in

        user_logged_in.connect(keep_language_chosen_before_log_in, dispatch_uid="keep-language")
