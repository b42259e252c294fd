"""Where the race's Redis is, from the environment (never on a command line: ps shows those)."""
import os

HOST = "127.0.0.1"
PORT = int(os.environ.get("RACE_REDIS_PORT", "6379"))
PASSWORD = os.environ.get("RACE_REDIS_PASSWORD") or None
DB = int(os.environ.get("RACE_REDIS_DB", "0"))
QUEUE = "race"


def url(db: int = DB) -> str:
    from urllib.parse import quote
    auth = f":{quote(PASSWORD, safe='')}@" if PASSWORD else ""
    return f"redis://{auth}{HOST}:{PORT}/{db}"


def redis_client():
    import redis
    return redis.Redis(host=HOST, port=PORT, password=PASSWORD, db=DB)


def redis_py() -> str:
    """'redis-py 8.1.0 + hiredis 3.5.0': the client library and parser this interpreter uses."""
    import redis
    try:
        from redis.utils import HIREDIS_AVAILABLE
    except ImportError:
        HIREDIS_AVAILABLE = False
    text = f"redis-py {redis.__version__}"
    if HIREDIS_AVAILABLE:
        import hiredis
        text += f" + hiredis {hiredis.__version__}"
    return text
