from coproduce.web.navigation import Navigation


def site(request):
    return {"site_name": "Coproduce"}


def navigation(request):
    """``nav``: the header's current section and its counts (read only when the header shows them)."""
    return {"nav": Navigation(request)}
