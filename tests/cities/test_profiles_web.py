

def test_city_list_searches_by_name(client, make_user, login):
    login(make_user("viewer"))
    page = client.get("/cities?q=kendari")
    assert page.status_code == 200
    assert "Kota Kendari" in page.text
    assert "Kota Blitar" not in page.text
