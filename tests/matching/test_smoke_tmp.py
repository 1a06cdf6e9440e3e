import json
from matchmaker.matching import services
def test_smoke(app, profiles, city, now):
    with app.test_request_context():
        r = services.recommend_mentors(city("35.72"), "wastewater", None, 10, now)
    print(json.dumps(r, ensure_ascii=False, indent=1))
    assert 0
