"""Placeholder until the exports screen lands."""
import streamlit as st

st.write("exports")
