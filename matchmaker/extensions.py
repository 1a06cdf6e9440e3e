"""Flask extensions, created unbound and initialised in the factory."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from matchmaker.errors import ErrorSchema

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class JsonApi(Api):
    """flask-smorest's Api for the OpenAPI document; errors stay with `matchmaker.errors`."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Leave error handling to `register_error_handlers`: smorest's would answer HTML pages in JSON."""

    def register_blueprint(self, blp, **options) -> None:
        super().register_blueprint(blp, **options)
        # smorest adds a tag per blueprint; this API's operations are tagged by domain instead.
        self.spec._tags = [tag for tag in self.spec._tags if tag["name"] != options.get("name", blp.name)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# The models' base class under a name mypy can follow (`db.Model` is made at run time).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
compress = Compress()
api = JsonApi(spec_kwargs={
    "title": "Matchmaker API", "version": "1", "openapi_version": "3.0.3",
    "info": {"description": "Horizontal learning between Indonesian cities: profiles, mentor "
                            "recommendations, programmes, sessions, notes and lessons."},
    "servers": [{"url": "/"}],
    "components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer",
                   "description": "a token from `flask --app matchmaker users token EMAIL`"},
        "session": {"type": "apiKey", "in": "cookie", "name": "session",
                    "description": "the browser session of a signed-in user"}}},
    "security": [{"bearer": []}, {"session": []}],
})
