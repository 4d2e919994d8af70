def test_directory_renders_for_member(as_persona, riverside, member):
    client = as_persona("member")
    response = client.get("/c/riverside/members/")
    assert response.status_code == 200
    assert b"Alice Ashby" in response.content
