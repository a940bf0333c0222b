from shelterassess import create_app

app = create_app()
